using static TorchSharp.torch;

namespace DiffusionLab.Data;

/// <summary>A training set held in two tensors on the CPU: images (N, C, H, W) in [−1, 1] and their conditions (N) labels or (N, L) token ids.</summary>
public sealed class TensorTrainingSet : ITrainingSet, IDisposable
{
    private readonly Tensor _images;
    private readonly Tensor _conditions;

    public TensorTrainingSet(Tensor images, Tensor conditions)
    {
        if (images.dim() != 4 || images.shape[2] != images.shape[3])
            throw new ArgumentException($"images: expected (N, C, S, S), got [{string.Join(", ", images.shape)}]");
        if (conditions.shape[0] != images.shape[0])
            throw new ArgumentException($"conditions: {conditions.shape[0]} rows for {images.shape[0]} images");
        _images = images.cpu().to(ScalarType.Float32);
        _conditions = conditions.cpu().to(ScalarType.Int64);
    }

    public int Count => (int)_images.shape[0];
    public int Channels => (int)_images.shape[1];
    public int Size => (int)_images.shape[2];

    public (Tensor Images, Tensor Conditions) Batch(Tensor indices) => (_images.index_select(0, indices), _conditions.index_select(0, indices));

    public void Dispose()
    {
        _images.Dispose();
        _conditions.Dispose();
    }
}
