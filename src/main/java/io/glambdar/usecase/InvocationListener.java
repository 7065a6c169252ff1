package io.glambdar.usecase;

import io.glambdar.engine.OutputListener;

import java.util.ArrayList;
import java.util.List;

/**
 * Told of every invocation of a deployed function: what it prints while it runs, and when it ends (synchronous calls
 * and asynchronous attempts alike; the end not of one whose function was deleted before it could start): metrics
 * count it, live logs show it. Called on the invocation's own thread, so it must be quick and never block.
 */
@FunctionalInterface
public interface InvocationListener {

    InvocationListener NONE = invoked -> {
    };

    void ended(InvokeFunction.Invoked invoked);

    /**
     * Where the invocation {@code invocationId} of {@code function} (its name, without a version) prints, line by
     * line, as it runs; asked once as it starts. Nowhere unless a listener wants its output.
     */
    default OutputListener output(String function, String invocationId) {
        return OutputListener.NONE;
    }

    /** All of {@code listeners}, in that order. */
    static InvocationListener all(List<InvocationListener> listeners) {
        List<InvocationListener> each = List.copyOf(listeners);
        return new InvocationListener() {
            @Override
            public void ended(InvokeFunction.Invoked invoked) {
                each.forEach(listener -> listener.ended(invoked));
            }

            @Override
            public OutputListener output(String function, String invocationId) {
                // Asked on every invocation: nothing is allocated unless two listeners want its output.
                OutputListener first = OutputListener.NONE;
                List<OutputListener> several = null;
                for (InvocationListener listener : each) {
                    OutputListener output = listener.output(function, invocationId);
                    if (output == OutputListener.NONE) {
                        continue;
                    }
                    if (first == OutputListener.NONE) {
                        first = output;
                    } else {
                        if (several == null) {
                            several = new ArrayList<>(List.of(first));
                        }
                        several.add(output);
                    }
                }
                if (several == null) {
                    return first;
                }
                List<OutputListener> outputs = several;
                return (stream, line) -> outputs.forEach(output -> output.line(stream, line));
            }
        };
    }
}
