package dev.regions;

/**
 * A region that belongs to the thread that built it. It takes no locks: every mutating call
 * first checks that the caller is the owner ({@link WrongThreadException} otherwise), and its
 * generations are {@link java.lang.foreign.Arena#ofConfined() confined arenas}, so its pieces are
 * confined to the owner too. Reads of the figures ({@code stats}, {@code limit}, {@code scope})
 * are allowed from any thread and may see a slightly stale value there.
 */
final class ConfinedRegion extends AbstractRegion {
    final Thread owner = Thread.currentThread();

    ConfinedRegion(String name, MemorySource source, boolean zeroing, boolean bump, long limit) {
        super(name, source, false, zeroing, bump, limit);
    }

    @Override
    void enter() {
        if (Thread.currentThread() != owner) {
            throw Checks.wrongThread(name(), owner);
        }
    }

    @Override
    void exit() {
    }

    @Override
    void enter0() {
    }

    @Override
    void exit0() {
    }

    @Override
    boolean isShared() {
        return false;
    }

    @Override
    boolean compatible(AbstractRegion other) {
        return other instanceof ConfinedRegion c && c.owner == owner;
    }
}
