using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// A first-order optimizer over a fixed list of named parameters whose whole state is a set of
/// named tensors plus a step count, so a checkpoint holds it exactly and a resumed run continues
/// bit for bit.
/// </summary>
public abstract class ParameterOptimizer : IDisposable
{
    protected ParameterOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters)
    {
        Parameters = parameters.Where(p => p.Parameter.requires_grad).ToList();
    }

    protected IReadOnlyList<(string Name, Parameter Parameter)> Parameters { get; }

    /// <summary>Number of steps taken (the bias-correction exponent k).</summary>
    public long StepCount { get; protected set; }

    public double LearningRate { get; set; }

    public void ZeroGrad()
    {
        foreach (var (_, p) in Parameters) p.grad?.zero_();
    }

    /// <summary>Clips the global gradient norm to <paramref name="maxNorm"/> and returns the norm before clipping.</summary>
    public double ClipGradNorm(double maxNorm)
    {
        var grads = Parameters.Select(p => p.Parameter).Where(p => p.grad is not null).ToArray();
        return nn.utils.clip_grad_norm_(grads, maxNorm);
    }

    /// <summary>One update with the current gradients (call inside no_grad).</summary>
    public void Step()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        StepCount++;
        foreach (var (name, p) in Parameters)
        {
            if (p.grad is null) continue;
            Update(name, p, p.grad);
        }
    }

    protected abstract void Update(string name, Parameter parameter, Tensor grad);

    /// <summary>Named state tensors (live references; the caller copies them when saving).</summary>
    public abstract IEnumerable<KeyValuePair<string, Tensor>> StateTensors();

    /// <summary>Restores state saved by <see cref="StateTensors"/>; every expected tensor must be present.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, long stepCount, string source)
    {
        using var _ = torch.no_grad();
        foreach (var (key, target) in StateTensors())
        {
            if (!state.TryGetValue(key, out var saved))
                throw new InvalidDataException($"{source}: optimizer state '{key}' missing (checkpoint of another model or optimizer?)");
            if (!saved.shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"{source}: optimizer state '{key}' has shape [{string.Join(", ", saved.shape)}], expected [{string.Join(", ", target.shape)}]");
            target.copy_(saved);
        }
        StepCount = stepCount;
    }

    protected Tensor ZerosLike(Parameter p) => torch.zeros_like(p).DetachFromDisposeScope();

    public virtual void Dispose()
    {
        foreach (var (_, t) in StateTensors()) t.Dispose();
        GC.SuppressFinalize(this);
    }
}
