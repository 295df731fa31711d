using static TorchSharp.torch;

namespace DiffusionLab.Diffusion;

/// <summary>
/// One training objective evaluation on a batch of images and their conditions (class labels or token ids):
/// draws its timesteps, noise, condition dropout (and, for
/// MDT, masking) from the given generator so a run with a saved generator state resumes exactly.
/// </summary>
public interface IDenoisingObjective
{
    ObjectiveOutput Compute(Tensor x0, Tensor conditions, Generator generator);
}

/// <summary>The scalar loss to back-propagate and the named batch means to log (e.g. mse, vb, m_mse).</summary>
public sealed record ObjectiveOutput(Tensor Loss, IReadOnlyDictionary<string, Tensor> Logged);
