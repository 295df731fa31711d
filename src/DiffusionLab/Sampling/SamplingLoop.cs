using DiffusionLab.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Sampling;

/// <summary>The shared reverse loop: indices K−1..0, the model called with original timesteps, one dispose scope per step.</summary>
internal static class SamplingLoop
{
    /// <summary>One reverse step: (process, model output, x_t, index tensor, index) → x_{t−1}.</summary>
    public delegate Tensor StepFn(GaussianDiffusion diffusion, Tensor modelOutput, Tensor x, Tensor t, int index);

    public static Tensor Run(SpacedDiffusion diffusion, DenoiseFn model, Tensor noise, IProgress<int>? progress, StepFn step)
    {
        ArgumentNullException.ThrowIfNull(diffusion);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(noise);
        using var noGrad = torch.no_grad();
        long batch = noise.shape[0];
        var device = noise.device;
        int steps = diffusion.NumTimesteps;
        Tensor x = noise;
        for (int i = steps - 1; i >= 0; i--)
        {
            Tensor next;
            using (var scope = torch.NewDisposeScope())
            {
                // Index and timestep are host-known: filled on the device, no host/device sync inside the loop.
                var t = torch.full([batch], i, ScalarType.Int64, device);
                var originalT = torch.full([batch], diffusion.OriginalTimestep(i), ScalarType.Int64, device);
                var output = model(x, originalT);
                next = step(diffusion.Diffusion, output, x, t, i).MoveToOuterDisposeScope();
            }
            if (!ReferenceEquals(x, noise)) x.Dispose();
            x = next;
            progress?.Report(steps - i);
        }
        return ReferenceEquals(x, noise) ? noise.clone() : x;
    }

    /// <summary>1 where t ≠ 0, else 0, shaped (N, 1, …) like <paramref name="like"/>: no noise at the last step.</summary>
    public static Tensor NonzeroMask(Tensor t, Tensor like)
    {
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = t.shape[0];
        return t.ne(0).to(like.dtype).view(shape);
    }
}
