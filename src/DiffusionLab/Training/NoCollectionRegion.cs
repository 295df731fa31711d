using System.Runtime;

namespace DiffusionLab.Training;

/// <summary>
/// Holds off garbage collection while a training step runs libtorch. TorchSharp converts doubles
/// to Scalars implicitly (an alpha of 1 inside <c>add</c>, every factor in an optimiser step) and
/// leaves them to a finalizer; a collection during the libtorch call that reads one can free it
/// mid-call (a crash in <c>c10::Scalar::toDouble</c> within a few hundred steps while the renderer
/// allocates). Steps allocate a few hundred kilobytes, far inside the budget; a step that goes
/// past it (or a region the runtime refuses) only loses the protection, and is counted.
/// </summary>
public sealed class NoCollectionRegion : IDisposable
{
    private const long Budget = 64L << 20;

    private readonly bool _started;

    public NoCollectionRegion()
    {
        try { _started = GC.TryStartNoGCRegion(Budget); }
        catch (InvalidOperationException) { _started = false; } // already inside one (a caller's)
    }

    /// <summary>Whether the region held to the end (false: a collection may have run inside it).</summary>
    public bool Held { get; private set; }

    public void Dispose()
    {
        if (!_started) return;
        Held = GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;
        if (Held) GC.EndNoGCRegion();
    }
}
