using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Diffusion;

/// <summary>
/// A respaced process (IDDPM §4, <c>SpacedDiffusion</c>): a <see cref="GaussianDiffusion"/> over the kept timesteps
/// s_0 &lt; … &lt; s_{K−1} with β'_k = 1 − ᾱ_{s_k}/ᾱ_{s_{k−1}}. Its math works on indices k; the network is always
/// called with the original timestep s_k (<see cref="ToOriginal"/>).
/// </summary>
public sealed class SpacedDiffusion
{
    private readonly long[] _timestepMap;
    private readonly Dictionary<string, Tensor> _mapTensors = new();
    private readonly object _mapLock = new();

    internal SpacedDiffusion(GaussianDiffusion baseDiffusion, IReadOnlyList<int> useTimesteps)
    {
        ArgumentNullException.ThrowIfNull(baseDiffusion);
        ArgumentNullException.ThrowIfNull(useTimesteps);
        var keep = new SortedSet<int>(useTimesteps);
        if (keep.Count == 0) throw new ArgumentException("respacing must keep at least one timestep", nameof(useTimesteps));
        if (keep.Min < 0 || keep.Max >= baseDiffusion.NumTimesteps)
            throw new ArgumentException($"kept timesteps must lie in [0, {baseDiffusion.NumTimesteps - 1}], got {keep.Min}..{keep.Max}", nameof(useTimesteps));
        var betas = new List<double>();
        var map = new List<long>();
        double lastAlphaCumprod = 1.0;
        for (int i = 0; i < baseDiffusion.NumTimesteps; i++)
        {
            if (!keep.Contains(i)) continue;
            double ac = baseDiffusion.AlphasCumprod[i];
            betas.Add(1 - ac / lastAlphaCumprod);
            lastAlphaCumprod = ac;
            map.Add(i);
        }
        _timestepMap = map.ToArray();
        OriginalNumTimesteps = baseDiffusion.NumTimesteps;
        Diffusion = new GaussianDiffusion(betas.ToArray(), baseDiffusion.LearnSigma);
    }

    /// <summary>The respaced process; its timestep tensors are indices 0..K−1.</summary>
    public GaussianDiffusion Diffusion { get; }

    /// <summary>K, the number of kept steps.</summary>
    public int NumTimesteps => Diffusion.NumTimesteps;

    /// <summary>T of the base process.</summary>
    public int OriginalNumTimesteps { get; }

    /// <summary>Original timestep s_k of each index k (a copy).</summary>
    public long[] TimestepMap => (long[])_timestepMap.Clone();

    /// <summary>s_k for one index k.</summary>
    public long OriginalTimestep(int index) => _timestepMap[index];

    /// <summary>Maps an int64 tensor of indices k to the original timesteps s_k, on the indices' device.</summary>
    public Tensor ToOriginal(Tensor indices) => MapTensor(indices.device).index_select(0, indices.to(ScalarType.Int64).flatten()).view(indices.shape);

    /// <summary>The base schedule respaced by <paramref name="spec"/> (see <see cref="TimestepRespacing.Space"/>).</summary>
    public static SpacedDiffusion Create(double[] baseBetas, string spec, bool learnSigma = true)
    {
        ArgumentNullException.ThrowIfNull(baseBetas);
        var baseDiffusion = new GaussianDiffusion(baseBetas, learnSigma);
        return baseDiffusion.Respaced(TimestepRespacing.Space(baseBetas.Length, spec));
    }

    private Tensor MapTensor(Device device)
    {
        string key = $"{device.type}:{device.index}";
        lock (_mapLock)
        {
            if (_mapTensors.TryGetValue(key, out var cached)) return cached;
            // Lives as long as this process: kept out of any caller's dispose scope.
            var map = torch.tensor(_timestepMap, device: device).DetachFromDisposeScope();
            _mapTensors[key] = map;
            return map;
        }
    }
}
