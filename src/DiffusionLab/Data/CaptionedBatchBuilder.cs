using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Data;

/// <summary>Packs per-item bytes into a <see cref="CaptionedBatch"/> with one tensor conversion per field.</summary>
internal sealed class CaptionedBatchBuilder
{
    private readonly int _size;
    private readonly byte[] _pixels, _masks;
    private readonly string[] _captions;
    private readonly CaptionSpan?[] _spans;
    private readonly long[] _identities;
    private readonly Dictionary<string, long[]> _labels = new();

    public CaptionedBatchBuilder(int count, int size, IEnumerable<string> labelNames)
    {
        _size = size;
        _pixels = new byte[(long)count * size * size * 3];
        _masks = new byte[(long)count * size * size];
        _captions = new string[count];
        _spans = new CaptionSpan?[count];
        _identities = new long[count];
        foreach (var name in labelNames) _labels[name] = new long[count];
    }

    /// <summary>Item i: RGB bytes (H·W·3), mask bytes (H·W, non-zero = person), caption, span, identity.</summary>
    public void Set(int i, byte[] pixels, byte[] mask, string caption, CaptionSpan? span, long identity)
    {
        int n = _size * _size;
        if (pixels.Length != n * 3 || mask.Length != n)
            throw new ArgumentException($"item {i}: expected {n * 3} pixel and {n} mask bytes, got {pixels.Length} and {mask.Length}");
        Buffer.BlockCopy(pixels, 0, _pixels, i * n * 3, n * 3);
        Buffer.BlockCopy(mask, 0, _masks, i * n, n);
        _captions[i] = caption;
        _spans[i] = span;
        _identities[i] = identity;
    }

    public void SetLabel(int i, string name, long value) => _labels[name][i] = value;

    public CaptionedBatch Build()
    {
        int count = _captions.Length;
        using var scope = torch.NewDisposeScope();
        var images = torch.tensor(_pixels, [count, _size, _size, 3]).permute(0, 3, 1, 2).to(ScalarType.Float32).div(127.5).sub(1.0).contiguous(); // (N,3,H,W) in [−1,1]
        var masks = torch.tensor(_masks, [count, 1, _size, _size]).ne(0).to(ScalarType.Float32);                                                  // (N,1,H,W) 0/1
        var identities = torch.tensor(_identities, dtype: ScalarType.Int64);                                                                      // (N)
        var labels = _labels.ToDictionary(kv => kv.Key, kv => torch.tensor(kv.Value, dtype: ScalarType.Int64).MoveToOuterDisposeScope());
        return new CaptionedBatch(images.MoveToOuterDisposeScope(), masks.MoveToOuterDisposeScope(), _captions, _spans,
            identities.MoveToOuterDisposeScope(), labels);
    }
}
