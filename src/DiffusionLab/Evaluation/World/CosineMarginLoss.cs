using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// CosFace's large-margin cosine loss (Wang et al. 2018, eq. 4): cross-entropy over
/// s·(cos θ_j − m·[j = y]) where cos θ_j is the cosine between the embedding and class j's
/// learned centre. Training-only: the class centres are not part of the judge's weights.
/// </summary>
internal sealed class CosineMarginLoss : Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter centres;

    /// <param name="classes">Train identities.</param>
    /// <param name="size">Embedding size.</param>
    /// <param name="scale">s; CosFace's bound s ≥ (C−1)/C·ln((C−1)P/(1−P)) asks for ≈ 10 at C = 2,000, P = 0.9, and 30 is the usual choice below 10k classes.</param>
    /// <param name="margin">m = 0.35, CosFace's best value on LFW/YTF (their Fig. 4).</param>
    public CosineMarginLoss(int classes, int size, double scale = 30, double margin = 0.35) : base(nameof(CosineMarginLoss))
    {
        centres = Parameter(torch.empty(classes, size));
        Scale = scale;
        Margin = margin;
        RegisterComponents();
    }

    public double Scale { get; }
    public double Margin { get; }

    /// <summary>The margin actually subtracted; ramped up from 0 at the start of training, when every cosine is near 0.</summary>
    public double CurrentMargin { get; set; }

    public void ResetParameters(Generator generator)
    {
        using var _ = torch.no_grad();
        centres.normal_(0, 1, generator);
    }

    /// <summary>(N,D) unit embeddings and (N) int64 class ids → scalar loss.</summary>
    public override Tensor forward(Tensor embeddings, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        var cosines = embeddings.matmul(functional.normalize(centres, dim: 1).t());                   // (N,C)
        var margin = functional.one_hot(labels, cosines.shape[1]).to(cosines.dtype) * CurrentMargin; // (N,C)
        var loss = functional.cross_entropy((cosines - margin) * Scale, labels);                     // ()
        return loss.MoveToOuterDisposeScope();
    }
}
