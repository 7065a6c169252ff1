package io.glambdar.store.sqlite;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StatementCacheTest {

    private Connection raw;
    /** The texts the real connection was asked to compile, in order. */
    private final List<String> compiled = new ArrayList<>();
    private Connection connection;

    @BeforeEach
    void open() throws SQLException {
        raw = DriverManager.getConnection("jdbc:sqlite::memory:");
        try (Statement st = raw.createStatement()) {
            st.execute("CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)");
        }
        Connection counting = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[]{Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("prepareStatement")) {
                        compiled.add((String) args[0]);
                    }
                    try {
                        return method.invoke(raw, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        connection = StatementCache.of(counting);
    }

    @AfterEach
    void close() throws SQLException {
        connection.close();
    }

    @Test
    void aTextIsCompiledOnceAndItsStatementServesEveryLaterCaller() throws SQLException {
        for (int i = 0; i < 5; i++) {
            insert("k" + i, "v" + i);
        }
        assertThat(compiled).containsExactly("INSERT INTO t VALUES (?, ?)");
        assertThat(count()).isEqualTo(5);
    }

    @Test
    void aStatementGivenBackHasNoBindingsLeft() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT ?")) {
            ps.setString(1, "left over");
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("left over");
            }
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT ?");
             ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("an unbound parameter is NULL").isNull();
        }
        assertThat(compiled).hasSize(1);
    }

    @Test
    void aBatchLeftUnexecutedIsNotRunByTheNextCaller() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
            ps.setString(1, "abandoned");
            ps.setString(2, "x");
            ps.addBatch(); // the caller failed before executeBatch
        }
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
            ps.setString(1, "a");
            ps.setString(2, "1");
            ps.addBatch();
            assertThat(ps.executeBatch()).containsExactly(1);
        }
        assertThat(count()).isEqualTo(1);
    }

    @Test
    void theSameTextTwiceAtOnceGetsTwoStatements() throws SQLException {
        insert("a", "1");
        insert("b", "2");
        try (PreparedStatement outer = connection.prepareStatement("SELECT k FROM t ORDER BY k");
             ResultSet rows = outer.executeQuery()) {
            assertThat(rows.next()).isTrue();
            try (PreparedStatement inner = connection.prepareStatement("SELECT k FROM t ORDER BY k");
                 ResultSet again = inner.executeQuery()) {
                assertThat(again.next()).isTrue();
                assertThat(again.getString(1)).isEqualTo("a");
            }
            assertThat(rows.getString(1)).isEqualTo("a");
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).as("the outer reading went on undisturbed").isEqualTo("b");
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT k FROM t ORDER BY k")) {
            assertThat(ps.isClosed()).isFalse();
        }
        assertThat(compiled).filteredOn(sql -> sql.startsWith("SELECT")).hasSize(2);
    }

    @Test
    void aStatementClosedTwiceIsGivenBackOnce() throws SQLException {
        PreparedStatement ps = connection.prepareStatement("SELECT 1");
        ps.close();
        ps.close();
        assertThat(ps.isClosed()).isTrue();
        try (PreparedStatement again = connection.prepareStatement("SELECT 1");
             ResultSet rs = again.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
        assertThat(compiled).hasSize(1);
    }

    @Test
    void moreTextsThanItKeepsAreStillServedAndTheOldestAreCompiledAgain() throws SQLException {
        for (int i = 0; i <= StatementCache.MAX_STATEMENTS; i++) {
            try (PreparedStatement ps = connection.prepareStatement("SELECT " + i);
                 ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(i);
            }
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT 0")) {
            assertThat(ps.isClosed()).isFalse();
        }
        assertThat(compiled).hasSize(StatementCache.MAX_STATEMENTS + 2).endsWith("SELECT 0");
    }

    @Test
    void closingTheConnectionClosesItsStatements() throws SQLException {
        PreparedStatement kept;
        try (PreparedStatement ps = connection.prepareStatement("SELECT 1")) {
            kept = ps.unwrap(PreparedStatement.class);
        }
        connection.close();
        assertThat(kept.isClosed()).isTrue();
        assertThat(raw.isClosed()).isTrue();
    }

    private void insert(String k, String v) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
            ps.setString(1, k);
            ps.setString(2, v);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }

    private int count() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT count(*) FROM t");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
