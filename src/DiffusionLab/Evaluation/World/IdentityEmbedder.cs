using DiffusionLab.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace DiffusionLab.Evaluation.World;

/// <summary>
/// Our FaceNet stand-in for CharacterWorld (photomaker.md §4.2 "Face Sim."): a
/// <see cref="JudgeTrunk"/>, global average pooling, a linear map and BatchNorm to a 128-d L2-normalised
/// identity embedding, trained with a cosine-margin softmax (<see cref="CosineMarginLoss"/>) over
/// the train identities so that two images of one person have a high cosine similarity whatever
/// their expression, headwear, clothing, background and pose.
/// </summary>
public sealed class IdentityEmbedder : Module<Tensor, Tensor>
{
    public const int EmbeddingSize = 128;

    private readonly JudgeTrunk trunk;
    private readonly Linear embedding;
    private readonly BatchNorm1d norm;

    public IdentityEmbedder() : base(nameof(IdentityEmbedder))
    {
        trunk = new JudgeTrunk();
        embedding = Linear(JudgeTrunk.FeatureSize, EmbeddingSize);
        norm = BatchNorm1d(EmbeddingSize);
        RegisterComponents();
    }

    /// <summary>(N,3,64,64) in [−1,1] → (N,128) unit-length embeddings.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var f = trunk.forward(x).mean([2, 3]);                       // (N,256)
        // Centring before normalising (ArcFace's output BN): pooled post-ReLU features share one
        // large mean direction, which otherwise squeezes all embeddings into a narrow cone.
        var e = norm.forward(embedding.forward(f));                  // (N,128)
        return functional.normalize(e, dim: 1).MoveToOuterDisposeScope(); // (N,128), |e| = 1
    }

    /// <summary>Initial weights from <paramref name="generator"/> alone (see <see cref="JudgeTrunk.ResetParameters"/>).</summary>
    public void ResetParameters(Generator generator)
    {
        trunk.ResetParameters(generator);
        JudgeInit.Linear(embedding, generator);
        norm.reset_parameters();
    }

    /// <summary>Writes the weights as safetensors.</summary>
    public void SaveWeights(string path) => SafetensorsFile.Save(path, state_dict());

    /// <summary>Copies a state dict in, strictly (every name, every shape), and disposes it; <paramref name="source"/> names it in errors.</summary>
    public void LoadWeights(Dictionary<string, Tensor> state, string source) => JudgeInit.LoadStrict(this, state, source);
}
