using static TorchSharp.torch;

namespace DiffusionLab.Data;

/// <summary>
/// A labelled image set held in memory: images (N,C,H,W) float32 in [−1,1] (the range the diffusion
/// process works in) and class indices (N) int64. Owns its two tensors.
/// </summary>
public sealed class LabeledImages : ITrainingSet, IDisposable
{
    public LabeledImages(Tensor images, Tensor labels, int numClasses, IReadOnlyList<string> classNames)
    {
        if (images.dim() != 4 || images.dtype != ScalarType.Float32)
            throw new ArgumentException($"images: expected float32 (N,C,H,W), got {images.dtype} [{string.Join(", ", images.shape)}]");
        if (images.shape[2] != images.shape[3])
            throw new ArgumentException($"images: expected square images, got {images.shape[2]}x{images.shape[3]}");
        if (labels.dim() != 1 || labels.dtype != ScalarType.Int64 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"labels: expected int64 ({images.shape[0]}), got {labels.dtype} [{string.Join(", ", labels.shape)}]");
        if (classNames.Count != numClasses)
            throw new ArgumentException($"classNames: {classNames.Count} names for {numClasses} classes");
        Images = images;
        Labels = labels;
        NumClasses = numClasses;
        ClassNames = classNames;
    }

    public Tensor Images { get; }
    public Tensor Labels { get; }
    public int NumClasses { get; }
    public IReadOnlyList<string> ClassNames { get; }

    public int Count => (int)Images.shape[0];
    public int Channels => (int)Images.shape[1];
    public int Size => (int)Images.shape[2];

    public (Tensor Images, Tensor Conditions) Batch(Tensor indices) => (Images.index_select(0, indices), Labels.index_select(0, indices));

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
