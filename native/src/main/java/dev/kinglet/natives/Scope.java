package dev.kinglet.natives;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.InferenceMode;
import org.bytedeco.pytorch.NoGradGuard;

/**
 * The native temporaries of one unit of work: every tensor, Mat or other native object made on
 * this thread while the scope is open is freed when it closes. Copy scalars out to Java before
 * closing; {@link #keep} what must outlive it. Scopes are per thread and nest.
 *
 * <pre>{@code
 * try (var step = Scope.step()) { ... loss.backward(); lossValue = loss.item_float(); }
 * }</pre>
 */
public final class Scope implements AutoCloseable {
    private final PointerScope pointers;
    @SuppressWarnings("unused") // RAII guard: alive while the scope is open
    private final Pointer guard;

    private enum Mode { PLAIN, INFERENCE, NO_GRAD }

    private Scope(Mode mode) {
        Natives.load();
        pointers = new PointerScope();
        // Attached first to this scope, so it is released last (the scope frees in reverse
        // order): its destructor ends the mode after every tensor made in it is gone.
        guard = switch (mode) {
            case PLAIN -> null;
            case INFERENCE -> new InferenceMode();
            case NO_GRAD -> new NoGradGuard();
        };
    }

    /** Temporaries of one training step (forward, loss, backward, optimizer step). */
    public static Scope step() {
        return new Scope(Mode.PLAIN);
    }

    /** Temporaries of one evaluation batch, with LibTorch's inference mode on (no autograd). */
    public static Scope evalBatch() {
        return new Scope(Mode.INFERENCE);
    }

    /** Temporaries of one image (decode, augment, write into a batch slot). */
    public static Scope image() {
        return new Scope(Mode.PLAIN);
    }

    /** In-place work on weights (initialisation, loading, EMA updates) with autograd off. */
    public static Scope noGrad() {
        return new Scope(Mode.NO_GRAD);
    }

    /** Detaches {@code p} from this scope so it outlives it; the caller now owns it. */
    public <P extends Pointer> P keep(P p) {
        p.retainReference(); // detach() releases the scope's reference; this one is the caller's
        pointers.detach(p);
        return p;
    }

    @Override
    public void close() {
        pointers.close();
    }
}
