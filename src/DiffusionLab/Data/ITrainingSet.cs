using static TorchSharp.torch;

namespace DiffusionLab.Data;

/// <summary>
/// A training set the trainer draws mini-batches from by index: images (N, C, H, W) float32 in [−1, 1]
/// and their conditions, class indices (N) int64 or token ids (N, L) int64. Items are fixed by their
/// index, so a batch stream resumes exactly from a sampler position.
/// </summary>
public interface ITrainingSet
{
    int Count { get; }
    int Channels { get; }
    int Size { get; }

    /// <summary>The items at <paramref name="indices"/> (N) int64, on the CPU; the caller owns the tensors.</summary>
    (Tensor Images, Tensor Conditions) Batch(Tensor indices);
}
