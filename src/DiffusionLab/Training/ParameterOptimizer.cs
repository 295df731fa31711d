using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// A first-order optimizer over a fixed list of named parameters, laid out in flat buffers (<see cref="FlatParameters"/>,
/// one per dtype and device) so a step is a handful of kernels whatever the number of tensors. Its whole state is a set
/// of named tensors (each parameter's slice of the flat moments, under the names a per-tensor optimizer used) plus a
/// step count, so a checkpoint holds it exactly and a resumed run continues bit for bit.
/// </summary>
public abstract class ParameterOptimizer : IDisposable
{
    protected ParameterOptimizer(IEnumerable<(string Name, Parameter Parameter)> parameters)
    {
        var trained = parameters.Where(p => p.Parameter.requires_grad).ToList();
        Buffers = trained.GroupBy(p => (p.Parameter.dtype, p.Parameter.device.ToString())).Select(g => new FlatParameters(g.ToList())).ToList();
    }

    /// <summary>The flat buffers of the trained parameters.</summary>
    public IReadOnlyList<FlatParameters> Buffers { get; }

    /// <summary>Number of steps taken (the bias-correction exponent k).</summary>
    public long StepCount { get; protected set; }

    public double LearningRate { get; set; }

    public void ZeroGrad()
    {
        foreach (var b in Buffers) b.Grads.zero_();
    }

    /// <summary>One update with the current gradients.</summary>
    public void Step()
    {
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        StepCount++;
        for (int i = 0; i < Buffers.Count; i++) Update(i, Buffers[i].Values, Buffers[i].Grads);
    }

    /// <summary>Updates buffer <paramref name="index"/>'s flat values <paramref name="p"/> from its flat gradients <paramref name="g"/>.</summary>
    protected abstract void Update(int index, Tensor p, Tensor g);

    /// <summary>The optimizer's flat state buffers of buffer <paramref name="index"/>, by state name (e.g. "exp_avg").</summary>
    protected abstract IEnumerable<(string Name, Tensor Flat)> State(int index);

    /// <summary>Named state tensors "param.state" (live views; the caller copies them when saving).</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> StateTensors()
    {
        for (int i = 0; i < Buffers.Count; i++)
            foreach (var (state, flat) in State(i))
                foreach (var (name, view) in Buffers[i].Views(flat))
                    yield return new($"{name}.{state}", view);
    }

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

    public virtual void Dispose()
    {
        for (int i = 0; i < Buffers.Count; i++)
            foreach (var (_, flat) in State(i)) flat.Dispose();
        GC.SuppressFinalize(this);
    }
}
