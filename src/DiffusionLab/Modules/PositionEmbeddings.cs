using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>Builds the [1, T, D] absolute position-embedding parameter for a <see cref="PositionEmbeddingKind"/>.</summary>
public static class PositionEmbeddings
{
    /// <summary>
    /// FixedSinCos: sin-cos table, frozen (DiT). Learnable: sin-cos init, trained (MDT). None: zeros,
    /// frozen, and not added by the networks; the parameter is kept so state-dict keys stay the same.
    /// </summary>
    public static Parameter Create(PositionEmbeddingKind kind, DenoiserConfig config, Device? device = null)
    {
        Tensor value;
        using (var scope = NewDisposeScope())
        {
            value = kind == PositionEmbeddingKind.None
                ? zeros(1, config.NumTokens, config.HiddenSize, device: device)
                : SinCosPositionEmbedding.Table(config.HiddenSize, config.GridSize)
                    .to(ScalarType.Float32).unsqueeze(0).to(device ?? CPU).contiguous(); // (1, T, D)
            value = value.DetachFromDisposeScope();
        }
        return new Parameter(value, requires_grad: kind == PositionEmbeddingKind.Learnable);
    }
}
