package io.glambdar.store;

/** No function is deployed under this name. */
public final class FunctionNotFoundException extends RuntimeException {

    public FunctionNotFoundException(String name) {
        super("function '" + name + "' not found; deploy it first with POST /deploy (see GET /info for what is deployed)",
                null, false, false);
    }
}
