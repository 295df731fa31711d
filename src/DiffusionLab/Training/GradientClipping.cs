using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// Clipping by the global gradient norm as torch.nn.utils.clip_grad_norm_ does it (coefficient max/(norm + 1e-6),
/// capped at 1), kept on the device: the norm comes back as a tensor, so a step needs no host synchronisation.
/// </summary>
public static class GradientClipping
{
    /// <summary>Scales the gradients in place so their global L2 norm is at most <paramref name="maxNorm"/>; returns the norm before clipping (0-dim).</summary>
    public static Tensor ClipByGlobalNorm(IReadOnlyList<Tensor> grads, double maxNorm)
    {
        if (grads.Count == 0) return tensor(0f);
        using var _ = no_grad();
        var norm = stack(grads.Select(g => g.norm()).ToArray()).norm();       // ()
        var coefficient = (maxNorm / (norm + 1e-6)).clamp_max(1.0);           // ()
        foreach (var g in grads) g.mul_(coefficient);
        return norm;
    }
}
