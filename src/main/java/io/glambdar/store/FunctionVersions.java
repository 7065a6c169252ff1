package io.glambdar.store;

import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The kept versions of one function and which one is active (by number), as one immutable value: an invocation
 * reads the active version and its code in one step, so it runs wholly on one version whatever switch happens
 * meanwhile.
 */
public record FunctionVersions(int active, NavigableMap<Integer, Deployment> kept) {

    public FunctionVersions {
        kept = Collections.unmodifiableNavigableMap(new TreeMap<>(kept));
        if (!kept.containsKey(active)) {
            throw new IllegalArgumentException("the active version " + active + " is not among " + kept.keySet());
        }
    }

    static FunctionVersions of(List<Deployment> versions, int active) {
        TreeMap<Integer, Deployment> kept = new TreeMap<>();
        versions.forEach(deployment -> kept.put(deployment.version(), deployment));
        return new FunctionVersions(active, kept);
    }

    public Deployment activeDeployment() {
        return kept.get(active);
    }

    /** Every kept version, newest first. */
    public List<Deployment> newestFirst() {
        return List.copyOf(kept.descendingMap().values());
    }

    /** With {@code deployment} added and made active. */
    FunctionVersions plus(Deployment deployment) {
        TreeMap<Integer, Deployment> more = new TreeMap<>(kept);
        more.put(deployment.version(), deployment);
        return new FunctionVersions(deployment.version(), more);
    }

    FunctionVersions activate(int version) {
        return new FunctionVersions(version, kept);
    }

    /** The versions beyond the newest {@code keep}, never the active one: what pruning removes. */
    List<Deployment> beyond(int keep) {
        return kept.descendingMap().values().stream().skip(keep)
                .filter(deployment -> deployment.version() != active).toList();
    }

    FunctionVersions without(List<Deployment> pruned) {
        TreeMap<Integer, Deployment> fewer = new TreeMap<>(kept);
        pruned.forEach(deployment -> fewer.remove(deployment.version()));
        return new FunctionVersions(active, fewer);
    }

    /** The highest kept version below the active one, the default target of a rollback. */
    Optional<Deployment> below(int version) {
        return Optional.ofNullable(kept.lowerEntry(version)).map(java.util.Map.Entry::getValue);
    }
}
