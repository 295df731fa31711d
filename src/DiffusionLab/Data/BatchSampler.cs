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
    private readonly ITrainingSet _data;
    private readonly Generator _generator;
    private Tensor? _permutation;

    public BatchSampler(ITrainingSet data, int batchSize, Generator generator)
    {
        if (batchSize < 1 || batchSize > data.Count)
            throw new ArgumentOutOfRangeException(nameof(batchSize), $"batchSize {batchSize}: expected 1..{data.Count} (the data set size)");
        _data = data;
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
        if (state.Epoch < 0 || state.Position < 0 || state.Position > _data.Count)
            throw new ArgumentOutOfRangeException(nameof(state), $"sampler state {state}: position must lie in 0..{_data.Count}");
        _permutation?.Dispose();
        _permutation = state.Epoch == 0 ? null : Permutation(state.EpochSeed);
        (Epoch, Position, EpochSeed) = state;
    }

    /// <summary>The next batch on <paramref name="device"/>: images and their conditions (labels or token ids).</summary>
    public (Tensor images, Tensor conditions) Next(Device device)
    {
        if (_permutation is null || Position + BatchSize > _data.Count)
        {
            using var seed = torch.randint(0, long.MaxValue, new long[] { 1 }, ScalarType.Int64, generator: _generator);
            EpochSeed = seed.item<long>();
            _permutation?.Dispose();
            _permutation = Permutation(EpochSeed);
            Epoch++;
            Position = 0;
        }
        using var index = _permutation.narrow(0, Position, BatchSize);
        Position += BatchSize;
        var (images, conditions) = _data.Batch(index);
        return (Move(images, device), Move(conditions, device));
    }

    // The permutation outlives the caller's per-step dispose scope, so it must not belong to it.
    private Tensor Permutation(long seed)
    {
        using var g = new Generator((ulong)seed);
        return torch.randperm(_data.Count, generator: g).DetachFromDisposeScope();
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
