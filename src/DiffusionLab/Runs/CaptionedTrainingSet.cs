using DiffusionLab.Data;
using DiffusionLab.Text;
using static TorchSharp.torch;

namespace DiffusionLab.Runs;

/// <summary>A captioned dataset as text-to-image training data: images and their captions' token ids (N, L).</summary>
public sealed class CaptionedTrainingSet(ICaptionedDataset dataset, WordTokenizer tokenizer, int maxLength) : ITrainingSet, IDisposable
{
    public int Count { get; } = dataset.Count <= int.MaxValue ? (int)dataset.Count
        : throw new ArgumentException($"captioned dataset of {dataset.Count} items: at most {int.MaxValue} are indexable");
    public int Channels => 3;
    public int Size => dataset.ImageSize;
    public ICaptionedDataset Dataset => dataset;

    public (Tensor Images, Tensor Conditions) Batch(Tensor indices)
    {
        using var batch = dataset.GetBatch(indices.data<long>().ToArray());
        return (batch.Images.clone(), tokenizer.EncodeBatch(batch.Captions, maxLength));
    }

    public void Dispose() => (dataset as IDisposable)?.Dispose();
}
