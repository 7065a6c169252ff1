package io.glambdar.store.metadata;

/** An insert for a function name that already has a row in the metadata database. */
public class DuplicateFunctionException extends RuntimeException {

    private final String functionName;

    public DuplicateFunctionException(String functionName) {
        super("function '" + functionName + "' already exists; delete it first to deploy it again");
        this.functionName = functionName;
    }

    public String functionName() {
        return functionName;
    }
}
