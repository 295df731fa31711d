using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Evaluation.World;

/// <summary>The judges' training augmentation; every draw comes from the run's generator.</summary>
internal static class JudgeAugmentation
{
    /// <summary>(N,3,S,S) in [−1,1] → shifted, colour-jittered and partly degraded (N,3,S,S) in [−1,1].</summary>
    public static Tensor Apply(Tensor x, JudgeTrainingOptions options, Generator generator)
    {
        using var scope = torch.NewDisposeScope();
        long n = x.shape[0];
        Tensor Uniform(double low, double high) =>                                                      // (N,1,1,1)
            torch.rand([n, 1, 1, 1], generator: generator) * (high - low) + low;
        x = Shift(x, options.MaxShift, generator);                                                 // (N,3,S,S)
        if (options.ColorJitter > 0)
        {
            var contrast = Uniform(1 - options.ColorJitter, 1 + options.ColorJitter);                   // (N,1,1,1)
            var brightness = Uniform(-options.ColorJitter, options.ColorJitter);                        // (N,1,1,1)
            var mean = x.mean([1, 2, 3], keepdim: true);                                                // (N,1,1,1)
            x = (x - mean) * contrast + mean + brightness;                                              // (N,3,S,S)
        }
        if (options.DegradeProbability > 0)
        {
            var on = Uniform(0, 1).lt(options.DegradeProbability).to(x.dtype);                      // (N,1,1,1)
            var softMix = Uniform(0, options.MaxSoften) * on;                                           // (N,1,1,1)
            var noiseStd = Uniform(0, options.MaxNoise) * on;                                           // (N,1,1,1)
            var soft = nn.functional.interpolate(nn.functional.avg_pool2d(x, 2), scale_factor: [2, 2],
                mode: InterpolationMode.Bilinear, align_corners: false);                                 // (N,3,S,S)
            x = x + (soft - x) * softMix + torch.randn(x.shape, generator: generator) * noiseStd;       // (N,3,S,S)
        }
        return x.clamp(-1, 1).MoveToOuterDisposeScope();
    }

    // Translation by up to maxShift pixels with the edge pixels repeated (the background continues).
    private static Tensor Shift(Tensor x, int maxShift, Generator generator)
    {
        if (maxShift == 0) return x.alias();
        long n = x.shape[0], c = x.shape[1], size = x.shape[2];
        var shifts = torch.randint(-maxShift, maxShift + 1, [n, 2], ScalarType.Int64, generator: generator);        // (N,2)
        var padded = nn.functional.pad(x, [maxShift, maxShift, maxShift, maxShift], PaddingModes.Replicate);        // (N,C,S+2m,S+2m)
        var grid = torch.arange(size, ScalarType.Int64) + maxShift;                                                  // (S)
        var rows = (grid.unsqueeze(0) - shifts[.., 0..1]).view(n, 1, size, 1).expand(n, c, size, padded.shape[3]);  // (N,C,S,S+2m)
        var cols = (grid.unsqueeze(0) - shifts[.., 1..2]).view(n, 1, 1, size).expand(n, c, size, size);             // (N,C,S,S)
        return padded.gather(2, rows).gather(3, cols);                                                               // (N,C,S,S)
    }
}
