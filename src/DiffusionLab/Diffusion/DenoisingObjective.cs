using static TorchSharp.torch;

namespace DiffusionLab.Diffusion;

/// <summary>
/// The DiT objective: IDDPM hybrid loss (ε-mse, optionally Min-SNR weighted, + vb for the learned
/// variance) on one noised copy of the batch.
/// </summary>
public sealed class DenoisingObjective(
    GaussianDiffusion diffusion,
    Func<Tensor, Tensor, Tensor, Tensor> network,
    LossWeighting weighting,
    double labelDropout,
    Tensor nullCondition) : IDenoisingObjective
{
    public ObjectiveOutput Compute(Tensor x0, Tensor conditions, Generator generator)
    {
        var t = TrainingDraws.Timesteps(x0.shape[0], diffusion.NumTimesteps, generator, x0.device);
        var y = TrainingDraws.DropConditions(conditions, labelDropout, nullCondition, generator);
        var noise = TrainingDraws.Noise(x0, generator);
        var losses = diffusion.TrainingLosses(xt => network(xt, t, y), x0, t, noise, weighting);
        var loss = losses.Loss.mean();
        return new ObjectiveOutput(loss, new Dictionary<string, Tensor>
        {
            ["loss"] = loss.detach(),
            ["mse"] = losses.Mse.mean().detach(),
            ["vb"] = losses.Vb.mean().detach(),
        });
    }
}
