using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Data;

/// <summary>
/// Endless shuffled mini-batches: each epoch visits the items in a fresh random order, and the last
/// partial batch of an epoch is dropped so every batch has the same size.
/// </summary>
/// <remarks>
/// The epoch's permutation comes from a seed drawn from <c>generator</c> at the start of the epoch, not
/// from the generator directly. The generator may thus be shared with other consumers (noise,
/// timesteps): saving its state plus <see cref="State"/> and restoring both resumes the batch stream
/// exactly, even mid-epoch.
/// </remarks>
public sealed class BatchSampler : IDisposable
{
    private readonly ITrainingSet? _data;
    private readonly long _count;
    private readonly Generator _generator;
    private Tensor? _permutation;

    public BatchSampler(ITrainingSet data, int batchSize, Generator generator) : this(data.Count, batchSize, generator)
    {
        _data = data;
    }

    /// <summary>A sampler over the item indices 0..count−1 alone, for callers that assemble their own batches (<see cref="NextIndices"/>).</summary>
    public BatchSampler(long count, int batchSize, Generator generator)
    {
        if (batchSize < 1 || batchSize > count)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize {batchSize}: expected 1..{count} (the data set size)");
        _count = count;
        BatchSize = batchSize;
        _generator = generator;
    }

    public int BatchSize { get; }

    /// <summary>Epochs begun so far (0 before the first batch).</summary>
    public long Epoch { get; private set; }

    /// <summary>Index of the next item in the current epoch's permutation.</summary>
    public long Position { get; private set; }

    /// <summary>Seed of the current epoch's permutation.</summary>
    public long EpochSeed { get; private set; }

    public BatchSamplerState State => new(Epoch, Position, EpochSeed);

    public void Restore(BatchSamplerState state)
    {
        if (state.Epoch < 0 || state.Position < 0 || state.Position > _count)
            throw new ArgumentOutOfRangeException(nameof(state), $"sampler state {state}: position must lie in 0..{_count}");
        _permutation?.Dispose();
        _permutation = state.Epoch == 0 ? null : Permutation(state.EpochSeed);
        (Epoch, Position, EpochSeed) = state;
    }

    /// <summary>The next batch on <paramref name="device"/>: images and their conditions (labels or token ids).</summary>
    public (Tensor images, Tensor conditions) Next(Device device)
    {
        if (_data is null) throw new InvalidOperationException("this sampler has no training set: draw indices with NextIndices");
        using var index = NextIndices();
        var (images, conditions) = _data.Batch(index);
        return (Move(images, device), Move(conditions, device));
    }

    /// <summary>The item indices (BatchSize) int64 on the CPU of the next batch; the caller owns the tensor.</summary>
    public Tensor NextIndices()
    {
        if (_permutation is null || Position + BatchSize > _count)
        {
            using var seed = torch.randint(0, long.MaxValue, new long[] { 1 }, ScalarType.Int64, generator: _generator);
            EpochSeed = seed.item<long>();
            _permutation?.Dispose();
            _permutation = Permutation(EpochSeed);
            Epoch++;
            Position = 0;
        }
        var index = _permutation.narrow(0, Position, BatchSize).clone();
        Position += BatchSize;
        return index;
    }

    // The permutation outlives the caller's per-step dispose scope, so it must not belong to it.
    private Tensor Permutation(long seed)
    {
        using var g = new Generator((ulong)seed);
        return torch.randperm(_count, generator: g).DetachFromDisposeScope();
    }

    // Tensor.to returns the same object when it is already on the device.
    private static Tensor Move(Tensor t, Device device)
    {
        var moved = t.to(device);
        if (!ReferenceEquals(moved, t)) t.Dispose();
        return moved;
    }

    public void Dispose() => _permutation?.Dispose();
}
