package io.glambdar.store.sqlite;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The database's one connection, compiling each SQL text once: {@code prepareStatement(sql)} hands out the statement
 * prepared for that text before, and its {@code close()} only readies it for the next caller (bindings and batch
 * cleared; SQLite resets a statement as its update or its result set ends). Compiling a job's 40-column statements
 * cost more than running them, once per job. The repositories keep writing plain JDBC, closing what they open.
 *
 * <p>Like the connection, used by one caller at a time (under {@link SqliteDatabase}'s lock). A text asked for again
 * while its statement is still lent out gets a statement of its own, closed for real.
 */
final class StatementCache implements InvocationHandler {

    /** Texts kept: far more than the repositories' statements; their few built texts (list filters) vary little. */
    static final int MAX_STATEMENTS = 200;

    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new LinkedHashMap<>(64, 0.75f, true);
    private final Set<PreparedStatement> lent = new HashSet<>();

    private StatementCache(Connection connection) {
        this.connection = connection;
    }

    /** {@code connection}, with its prepared statements kept; closing it closes them too. */
    static Connection of(Connection connection) {
        return (Connection) Proxy.newProxyInstance(StatementCache.class.getClassLoader(),
                new Class<?>[]{Connection.class}, new StatementCache(connection));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getName().equals("prepareStatement") && args != null && args.length == 1) {
            return lend((String) args[0]);
        }
        if (method.getName().equals("close") && args == null) {
            closeAll();
        }
        return call(connection, method, args);
    }

    private PreparedStatement lend(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
            evictBeyondMax();
        }
        if (!lent.add(statement)) {
            return connection.prepareStatement(sql); // in use already (the same text twice at once): not kept
        }
        return (PreparedStatement) Proxy.newProxyInstance(StatementCache.class.getClassLoader(),
                new Class<?>[]{PreparedStatement.class}, new Loan(statement));
    }

    /**
     * One caller's use of a kept statement: its {@code close()} gives the statement back once, and the handle is closed
     * from then on, even after the statement is lent to the next caller.
     */
    private final class Loan implements InvocationHandler {

        private final PreparedStatement statement;
        private boolean returned;

        Loan(PreparedStatement statement) {
            this.statement = statement;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("isClosed") && args == null) {
                return returned;
            }
            if (method.getName().equals("close") && args == null) {
                if (!returned) {
                    returned = true;
                    giveBack(statement);
                }
                return null;
            }
            if (returned) {
                throw new SQLException("the statement is closed");
            }
            return call(statement, method, args);
        }
    }

    private void giveBack(PreparedStatement statement) throws SQLException {
        lent.remove(statement);
        try {
            statement.clearParameters();
            statement.clearBatch();
        } catch (SQLException e) {
            statements.values().remove(statement); // not to be handed out again
            statement.close();
            throw e;
        }
    }

    private void evictBeyondMax() throws SQLException {
        var eldest = statements.entrySet().iterator();
        while (statements.size() > MAX_STATEMENTS && eldest.hasNext()) {
            PreparedStatement statement = eldest.next().getValue();
            if (!lent.contains(statement)) {
                eldest.remove();
                statement.close();
            }
        }
    }

    private void closeAll() throws SQLException {
        SQLException failure = null;
        for (PreparedStatement statement : statements.values()) {
            try {
                statement.close();
            } catch (SQLException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        statements.clear();
        lent.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
