using DiffusionLab.DiT;
using DiffusionLab.Mdt;
using DiffusionLab.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>Builds the network a <see cref="DenoiserConfig"/> describes.</summary>
public static class DenoiserFactory
{
    public static Denoiser Create(DenoiserConfig config, Device? device = null) => config.Architecture switch
    {
        Architecture.DiT => new DiffusionTransformer(config, device),
        Architecture.Mdt or Architecture.MdtV2 => new MaskedDiffusionTransformer(config, device),
        _ => throw new ArgumentException($"Architecture={config.Architecture}: unknown"),
    };
}
