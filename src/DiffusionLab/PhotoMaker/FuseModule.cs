using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.PhotoMaker;

/// <summary>
/// PhotoMaker's <c>FuseModule(D)</c> (photomaker.md §1.2; FastComposer's post-fuse module): fuses one class-token
/// embedding c with one image embedding e into a stacked-ID token
/// ê = LayerNorm(mlp2(mlp1(cat[c, e]) + c)), with <c>mlp1</c> = MLP(2D→D, hidden D, no residual),
/// <c>mlp2</c> = MLP(D→D, hidden D, residual) and <c>layer_norm</c> = LayerNorm(D). Keys as the official
/// <c>fuse_module.*</c>: mlp1.layernorm, mlp1.fc1, mlp1.fc2, mlp2.layernorm, mlp2.fc1, mlp2.fc2, layer_norm.
/// </summary>
public sealed class FuseModule : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly FuseMlp mlp1;
    private readonly FuseMlp mlp2;
    private readonly LayerNorm layer_norm;

    public FuseModule(int embedDim, Device? device = null) : base(nameof(FuseModule))
    {
        EmbedDim = embedDim;
        mlp1 = new FuseMlp(2 * embedDim, embedDim, embedDim, useResidual: false, device);
        mlp2 = new FuseMlp(embedDim, embedDim, embedDim, useResidual: true, device);
        layer_norm = nn.LayerNorm(embedDim, device: device);
        register_module(nameof(mlp1), mlp1);
        register_module(nameof(mlp2), mlp2);
        register_module(nameof(layer_norm), layer_norm);
    }

    public int EmbedDim { get; }

    /// <summary>Class-token embeddings c (M, D) and image embeddings e (M, D), row i with row i → ê (M, D).</summary>
    public override Tensor forward(Tensor classTokens, Tensor idEmbeddings)
    {
        if (!classTokens.shape.SequenceEqual(idEmbeddings.shape) || classTokens.shape[^1] != EmbedDim)
            throw new ArgumentException($"fuse: class tokens [{string.Join(", ", classTokens.shape)}] and image embeddings [{string.Join(", ", idEmbeddings.shape)}] must both be (M, {EmbedDim})");
        using var scope = NewDisposeScope();
        var h = mlp1.forward(cat([classTokens, idEmbeddings.to(classTokens.dtype)], -1)) + classTokens; // (M, D) outer residual to c
        h = mlp2.forward(h);                                                                            // (M, D)
        return layer_norm.forward(h).MoveToOuterDisposeScope();                                         // (M, D)
    }
}
