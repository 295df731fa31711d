using DiffusionLab.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Mdt;

/// <summary>
/// MDT's two-branch objective (mdt.md §5): the hybrid loss on the full latent plus the hybrid loss on
/// a masked latent, with the same t but fresh noise and a fresh label-dropout draw; the masked loss
/// covers all tokens. The two batch means are summed and back-propagated once.
/// </summary>
public sealed class MaskedDenoisingObjective(
    GaussianDiffusion diffusion,
    MaskedDiffusionTransformer network,
    LossWeighting weighting,
    double labelDropout,
    Tensor nullCondition,
    ScalarType computeType = ScalarType.Float32) : IDenoisingObjective
{
    /// <summary>The network in its compute precision (bf16 under mixed precision); losses stay in float32.</summary>
    private Tensor Full(Tensor xt, Tensor t, Tensor y) => network.call(xt.to(computeType), t, y).to(ScalarType.Float32);

    private Tensor Masked(Tensor xt, Tensor t, Tensor y, MaskingResult masking) =>
        network.ForwardMasked(xt.to(computeType), t, y, masking).to(ScalarType.Float32);

    public ObjectiveOutput Compute(Tensor x0, Tensor conditions, Generator generator)
    {
        long n = x0.shape[0];
        var t = TrainingDraws.Timesteps(n, diffusion.NumTimesteps, generator, x0.device);

        var y = TrainingDraws.DropConditions(conditions, labelDropout, nullCondition, generator);
        var full = diffusion.TrainingLosses(xt => Full(xt, t, y), x0, t, TrainingDraws.Noise(x0, generator), weighting);

        var yMasked = TrainingDraws.DropConditions(conditions, labelDropout, nullCondition, generator);
        double ratio = network.DrawMaskRatio(generator);
        var masking = RandomMasking.Draw(n, network.Config.NumTokens, ratio, x0.device, generator);
        var masked = diffusion.TrainingLosses(xt => Masked(xt, t, yMasked, masking), x0, t, TrainingDraws.Noise(x0, generator), weighting);

        var fullLoss = full.Loss.mean();
        var maskedLoss = masked.Loss.mean();
        return new ObjectiveOutput(fullLoss + maskedLoss, new Dictionary<string, Tensor>
        {
            ["loss"] = fullLoss.detach(),
            ["mse"] = full.Mse.mean().detach(),
            ["vb"] = full.Vb.mean().detach(),
            ["m_loss"] = maskedLoss.detach(),
            ["m_mse"] = masked.Mse.mean().detach(),
            ["m_vb"] = masked.Vb.mean().detach(),
        });
    }
}
