package io.glambdar.usecase;

/**
 * Told of every invocation of a deployed function when it ends (synchronous calls and asynchronous attempts alike;
 * not of one whose function was deleted before it could start): metrics count it, live logs report it. Called on the
 * invocation's own thread, so it must be quick and never block.
 */
@FunctionalInterface
public interface InvocationListener {

    InvocationListener NONE = invoked -> {
    };

    void ended(InvokeFunction.Invoked invoked);
}
