package dev.regions.internal.block;

/**
 * One lane's way into the {@link AddressDirectory}: it keeps the last leaf the lane looked up, so
 * that finding the block of a piece near the last one (the common case: a lane frees what it
 * carved lately) reads no shared table. Not thread-safe: used under its lane's access.
 */
public final class DirectoryCursor {
    private long lastLeafKey = -1;
    private Block[] lastLeaf;

    /** The block at {@code address} in the directory, or null. */
    public Block blockAt(long address) {
        long key = AddressDirectory.leafKey(address);
        Block[] leaf = lastLeaf;
        if (key != lastLeafKey || leaf == null) {
            leaf = AddressDirectory.leaf(key);
            if (leaf == null) {
                return null;
            }
            lastLeaf = leaf;
            lastLeafKey = key;
        }
        return AddressDirectory.entry(leaf, address);
    }
}
