using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Text;

/// <summary>
/// A batch of PhotoMaker encoder inputs with a different number of reference images per row
/// (the official fuse sums the mask over the whole batch and cannot do this, photomaker.md §1.2):
/// Ids (B, L) int64, ClassMask (B, L) bool, Weights (B, L) float32, Copies per row.
/// </summary>
public sealed class ClassTokenBatch : IDisposable
{
    private ClassTokenBatch(Tensor ids, Tensor classMask, Tensor weights, int[] copies)
    {
        Ids = ids;
        ClassMask = classMask;
        Weights = weights;
        Copies = Array.AsReadOnly(copies);
    }

    public Tensor Ids { get; }

    public Tensor ClassMask { get; }

    public Tensor Weights { get; }

    public IReadOnlyList<int> Copies { get; }

    /// <summary>Parses and encodes each (prompt, number of reference images) pair; see <see cref="TriggerPrompt.Encode"/>.</summary>
    public static ClassTokenBatch Encode(WordTokenizer tokenizer, IReadOnlyList<(string Prompt, int NumImages)> samples, int maxLength,
        Device? device = null, string trigger = TriggerPrompt.DefaultTrigger, int tokensPerImage = 1) =>
        From([.. samples.Select(s => TriggerPrompt.Parse(s.Prompt, trigger).Encode(tokenizer, s.NumImages, maxLength, tokensPerImage))], device);

    /// <summary>Stacks encoded inputs of one length into tensors on <paramref name="device"/>.</summary>
    public static ClassTokenBatch From(IReadOnlyList<ClassTokenInput> inputs, Device? device = null)
    {
        if (inputs.Count == 0) throw new ArgumentException("expected at least one input");
        int b = inputs.Count, l = inputs[0].Encoded.Length;
        if (inputs.FirstOrDefault(i => i.Encoded.Length != l) is { } other)
            throw new ArgumentException($"inputs have lengths {l} and {other.Encoded.Length}: encode them with one maxLength");
        var ids = new long[b * l];
        var mask = new bool[b * l];
        var weights = new float[b * l];
        for (int r = 0; r < b; r++)
        {
            inputs[r].Encoded.CopyIds(ids.AsSpan(r * l, l));
            for (int j = 0; j < l; j++) (mask[r * l + j], weights[r * l + j]) = (inputs[r].ClassMask[j], inputs[r].Weights[j]);
        }
        return new ClassTokenBatch(
            tensor(ids, [b, l], ScalarType.Int64, device),
            tensor(mask, [b, l], ScalarType.Bool, device),
            tensor(weights, [b, l], ScalarType.Float32, device),
            [.. inputs.Select(i => i.Copies)]);
    }

    public void Dispose()
    {
        Ids.Dispose();
        ClassMask.Dispose();
        Weights.Dispose();
    }
}
