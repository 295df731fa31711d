using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiffusionLab.Training;

/// <summary>
/// Parameters of one dtype and device laid out in one contiguous buffer, each parameter a view into it, and their
/// gradients likewise (pre-assigned views, which backward accumulates into in place). An update, an EMA, a gradient
/// norm or a zeroing is then one kernel over the buffer whatever the number of tensors, as in fused and multi-tensor
/// optimizers; a checkpoint still sees each parameter by name through its view.
/// </summary>
public sealed class FlatParameters : IDisposable
{
    private readonly List<(string Name, long Offset, long[] Shape)> _layout = [];

    /// <summary>Moves the parameters' values into one buffer (they become views of it) and gives them gradient views.</summary>
    public FlatParameters(IReadOnlyList<(string Name, Parameter Parameter)> parameters)
    {
        if (parameters.Count == 0) throw new ArgumentException("no parameters to lay out", nameof(parameters));
        var first = parameters[0].Parameter;
        if (parameters.Any(p => p.Parameter.dtype != first.dtype || p.Parameter.device.ToString() != first.device.ToString()))
            throw new ArgumentException("a flat buffer holds parameters of one dtype and device");
        long total = parameters.Sum(p => p.Parameter.numel());
        Values = zeros(total, first.dtype, first.device).DetachFromDisposeScope();
        Grads = zeros(total, first.dtype, first.device).DetachFromDisposeScope();
        using var _ = no_grad();
        long offset = 0;
        foreach (var (name, p) in parameters)
        {
            _layout.Add((name, offset, p.shape));
            var view = View(Values, _layout.Count - 1);
            view.copy_(p);
            p.set_(view);
            p.grad = View(Grads, _layout.Count - 1);
            offset += p.numel();
        }
        Names = _layout.Select(l => l.Name).ToList();
    }

    /// <summary>All parameter values, in layout order (N).</summary>
    public Tensor Values { get; }

    /// <summary>All gradients, in layout order (N).</summary>
    public Tensor Grads { get; }

    public IReadOnlyList<string> Names { get; }

    /// <summary>A buffer of this layout (e.g. an optimizer moment), zero.</summary>
    public Tensor NewBuffer() => zeros_like(Values).DetachFromDisposeScope();

    /// <summary>Parameter <paramref name="index"/>'s slice of <paramref name="flat"/> (a buffer of this layout), in its shape.</summary>
    public Tensor View(Tensor flat, int index)
    {
        var (_, offset, shape) = _layout[index];
        return flat.narrow(0, offset, shape.Aggregate(1L, (a, b) => a * b)).view(shape);
    }

    /// <summary>Each parameter's slice of <paramref name="flat"/>, by name.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> Views(Tensor flat) =>
        Enumerable.Range(0, _layout.Count).Select(i => KeyValuePair.Create(_layout[i].Name, View(flat, i)));

    /// <summary>Makes <paramref name="parameters"/> (same names and shapes, e.g. an EMA's shadow model) views of <paramref name="flat"/>.</summary>
    public void Bind(IReadOnlyDictionary<string, Parameter> parameters, Tensor flat)
    {
        using var _ = no_grad();
        for (int i = 0; i < _layout.Count; i++)
        {
            var view = View(flat, i);
            var p = parameters[_layout[i].Name];
            view.copy_(p);
            p.set_(view);
        }
    }

    public void Dispose()
    {
        Values.Dispose();
        Grads.Dispose();
    }
}
