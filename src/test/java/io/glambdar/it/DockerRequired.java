package io.glambdar.it;

import io.glambdar.sandbox.docker.DockerConnection;
import io.glambdar.sandbox.SandboxException;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;

/**
 * Gate for tests that need a real Docker engine. Off unless {@code RUN_INTEGRATION_TESTS=1} (or {@code CI=true}), as in
 * the original; when on, a missing engine FAILS the test with a clear message instead of skipping it.
 */
public final class DockerRequired implements ExecutionCondition {

    private static volatile String engineProblem;
    private static volatile boolean checked;

    static boolean requested() {
        return "1".equals(System.getenv("RUN_INTEGRATION_TESTS")) || "true".equalsIgnoreCase(System.getenv("CI"));
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (!requested()) {
            return ConditionEvaluationResult.disabled("Docker end-to-end tests are off;"
                    + " run them with RUN_INTEGRATION_TESTS=1 (./glambdar test does)");
        }
        if (!checked) {
            engineProblem = probe();
            checked = true;
        }
        if (engineProblem != null) {
            throw new IllegalStateException("RUN_INTEGRATION_TESTS=1 (or CI) asks for the Docker end-to-end tests,"
                    + " but " + engineProblem + " (.ci/run installs and starts it)");
        }
        return ConditionEvaluationResult.enabled("Docker engine reachable");
    }

    private static String probe() {
        try {
            DockerConnection.open().close(); // open() pings the engine and says what is wrong
            return null;
        } catch (SandboxException | IOException e) {
            return e.getMessage();
        }
    }
}
