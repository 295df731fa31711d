using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Modules;

/// <summary>
/// Class-label embedding table with NumClasses+1 rows; row NumClasses is the null class used by
/// classifier-free guidance (mdt.md §2). Label dropout is not done here: callers pass the null class.
/// Key <c>embedding_table.weight</c>.
/// </summary>
public sealed class LabelEmbedder : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embedding_table;

    public LabelEmbedder(int numClasses, int hiddenSize, Device? device = null) : base(nameof(LabelEmbedder))
    {
        NumClasses = numClasses;
        embedding_table = nn.Embedding(numClasses + 1, hiddenSize, device: device);
        RegisterComponents();
        using var _ = no_grad();
        nn.init.normal_(embedding_table.weight!, 0.0, 0.02);
    }

    /// <summary>Real classes; label <see cref="NumClasses"/> is the null class.</summary>
    public int NumClasses { get; }

    public override Tensor forward(Tensor labels) => embedding_table.forward(labels.to(ScalarType.Int64)); // (N, D)
}
