using DiffusionLab.DiT;
using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Runs;

/// <summary>Builds the network a <see cref="DenoiserConfig"/> describes.</summary>
public static class DenoiserFactory
{
    /// <summary>
    /// Held while a model draws its initial weights from torch's process-wide generator, and around
    /// seeding that generator and building from it (<see cref="CreateSeeded"/>): two threads building
    /// models at once (a notebook host, parallel tests) would otherwise interleave their draws and a
    /// seeded model would not be reproducible. Reentrant, so a seeded build can nest builds.
    /// </summary>
    private static readonly object GeneratorGate = new();

    public static Denoiser Create(DenoiserConfig config, Device? device = null)
    {
        lock (GeneratorGate)
            return config.Architecture switch
            {
                Architecture.DiT => new DiffusionTransformer(config, device),
                Architecture.Mdt or Architecture.MdtV2 => new MaskedDiffusionTransformer(config, device),
                _ => throw new ArgumentException($"Architecture={config.Architecture}: unknown"),
            };
    }

    /// <summary>The network with its initial weights drawn right after seeding torch's global generator with <paramref name="seed"/>.</summary>
    public static Denoiser CreateSeeded(long seed, DenoiserConfig config, Device? device = null)
    {
        lock (GeneratorGate)
        {
            manual_seed(seed);
            return Create(config, device);
        }
    }
}
