using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// The convolutional trunk the three CharacterWorld judges share in shape (each has its own
/// weights): conv-BatchNorm-ReLU stages of 16, 32, 64, 128 and 256 channels at 64, 32, 16, 8 and 4
/// pixels (2×2 max-pooling between them). The first stage stays at full resolution because an eye
/// or a nose is only 2–4 pixels wide at 64×64; the later stages have two convolutions each.
/// </summary>
public sealed class JudgeTrunk : Module<Tensor, Tensor>
{
    public const int ImageSize = 64;
    public const int FeatureSize = 256;

    private readonly Sequential stem, stage1, stage2, stage3, stage4;

    public JudgeTrunk() : base(nameof(JudgeTrunk))
    {
        stem = Sequential(Block(3, 16));
        stage1 = Sequential([MaxPool2d(2), .. Block(16, 32), .. Block(32, 32)]);
        stage2 = Sequential([MaxPool2d(2), .. Block(32, 64), .. Block(64, 64)]);
        stage3 = Sequential([MaxPool2d(2), .. Block(64, 128), .. Block(128, 128)]);
        stage4 = Sequential([MaxPool2d(2), .. Block(128, 256)]);
        RegisterComponents();
    }

    /// <summary>(N,3,64,64) in [−1,1] → (N,256,4,4).</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        x = stem.forward(x);   // (N,16,64,64)
        x = stage1.forward(x); // (N,32,32,32)
        x = stage2.forward(x); // (N,64,16,16)
        x = stage3.forward(x); // (N,128,8,8)
        x = stage4.forward(x); // (N,256,4,4)
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>The output of every stage, (N,16,64,64) … (N,256,4,4): the layers of an LPIPS-style distance.</summary>
    public IReadOnlyList<Tensor> StageOutputs(Tensor x)
    {
        var outputs = new List<Tensor>();
        foreach (var stage in new[] { stem, stage1, stage2, stage3, stage4 })
        {
            x = stage.forward(x);
            outputs.Add(x);
        }
        return outputs;
    }

    /// <summary>
    /// Draws every convolution from <paramref name="generator"/> (He-uniform, ±√(6/fan_in), as the
    /// ReLU that follows each one wants) and resets BatchNorm to the identity with fresh running
    /// statistics, so a training run depends on its seed alone.
    /// </summary>
    public void ResetParameters(Generator generator)
    {
        using var _ = torch.no_grad();
        foreach (var module in modules())
        {
            if (module is Conv2d conv)
            {
                double bound = Math.Sqrt(6.0 / conv.weight![0].numel());
                conv.weight.uniform_(-bound, bound, generator);
            }
            else if (module is BatchNorm2d norm)
            {
                norm.weight!.fill_(1);
                norm.bias!.zero_();
                norm.reset_running_stats();
            }
        }
    }

    // Bias-free: the BatchNorm after each convolution has its own shift.
    private static Module<Tensor, Tensor>[] Block(long inChannels, long outChannels) =>
        [Conv2d(inChannels, outChannels, 3, padding: 1, bias: false), BatchNorm2d(outChannels), ReLU()];
}
