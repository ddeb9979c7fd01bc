package dev.kinglet.natives;

import org.bytedeco.javacpp.Pointer;

/** A borrowed native address for JavaCPP calls: no deallocator, the memory belongs to someone else. */
final class Address extends Pointer {
    Address(long address) {
        this.address = address;
    }
}
