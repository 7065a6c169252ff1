package io.glambdar.usecase;

import io.glambdar.engine.Invoker;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.Deployment;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.VersionNotFoundException;
import io.glambdar.store.invocations.InvocationRecord;
import io.glambdar.store.jobs.JobCounts;
import io.glambdar.store.jobs.JobRepository;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What is deployed and how it ran: {@code GET /info} (with each function's queued and failed asynchronous
 * invocations), {@code /info/:name}, {@code /logs/:name[/:id]}. Read only.
 */
public final class FunctionQueries {

    private final FunctionCatalog catalog;
    private final Invoker invoker;
    private final JobRepository jobs;

    public FunctionQueries(FunctionCatalog catalog, Invoker invoker, JobRepository jobs) {
        this.catalog = catalog;
        this.invoker = invoker;
        this.jobs = jobs;
    }

    /** Every deployed function, by name. */
    public List<FunctionInfo> list() {
        Map<String, JobCounts> counts = jobs.countsByFunction(); // one read for all, not one per function
        return catalog.all().stream()
                .map(function -> info(function, counts.getOrDefault(function.name(), JobCounts.NONE)))
                .toList();
    }

    /** @throws FunctionNotFoundException when no function of that name is deployed */
    public FunctionInfo get(String name) {
        StoredFunction function = catalog.find(name);
        return info(function, jobs.counts(function.name()));
    }

    private FunctionInfo info(StoredFunction function, JobCounts counts) {
        return FunctionInfo.of(function, invoker.containers(function.name()), counts);
    }

    /** @throws FunctionNotFoundException when no function of that name is deployed */
    public VersionsInfo versions(String name) {
        return VersionsInfo.of(catalog.find(name));
    }

    /**
     * The number of the version {@code reference} names ({@code name}: the active one, {@code name@N}: version N) when
     * anyone may invoke it without a key: that version is marked {@code "public": true}, and so is the active one —
     * deploying a version that is not public closes the function, older public versions included — else empty (also
     * for an unknown or invalid name or version). Memory only.
     */
    public OptionalInt publicVersion(String reference) {
        try {
            FunctionReference.Resolved resolved = FunctionReference.parse(reference).resolve(catalog);
            Deployment version = resolved.version();
            return version.settings().isPublic() && resolved.function().active().settings().isPublic()
                    ? OptionalInt.of(version.version()) : OptionalInt.empty();
        } catch (FunctionNotFoundException | VersionNotFoundException | DeployRejectedException e) {
            return OptionalInt.empty();
        }
    }

    /** The function's last invocations, newest first. */
    public List<InvocationRecord> recentInvocations(String name) {
        return catalog.find(name).invocations().newestFirst();
    }

    /** One recent invocation of the function; empty once it is no longer among the last ones kept. */
    public Optional<InvocationRecord> invocation(String name, String invocationId) {
        return catalog.find(name).invocations().find(invocationId);
    }
}
