package dev.kinglet.train;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import dev.kinglet.dsl.RegressionLoss;

/** The loss of a regression network's outputs {@code [N, T]} against targets {@code [N, T]}, averaged over both. */
public record RegressionObjective(RegressionLoss kind) {
    public static final RegressionObjective MSE = new RegressionObjective(new RegressionLoss.Mse());

    private static final long MEAN = 1; // at::Reduction::Mean

    public Tensor loss(Tensor output, Tensor targets) {
        return switch (kind) {
            case RegressionLoss.Mse m -> torch.mse_loss(output, targets, MEAN);
            case RegressionLoss.SmoothL1 s -> torch.smooth_l1_loss(output, targets, MEAN, s.beta());
        };
    }
}
