using DiffusionLab.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Pipelines;

/// <summary>
/// Class labels (N) or prompt token ids (N, L) fed to the network as they are; the unconditional row is the network's
/// null condition (the null class, or the empty prompt's ids) for every image. Owns its device copies.
/// </summary>
public sealed class DenoiserConditioning : ISamplingConditioning, IDisposable
{
    private readonly Denoiser _model;
    private readonly Tensor _rows;
    private readonly Tensor _both;

    public DenoiserConditioning(Denoiser model, Tensor labelsOrIds)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(labelsOrIds);
        if (labelsOrIds.dim() != (model.Config.IsTextConditioned ? 2 : 1))
            throw new ArgumentException($"conditions of shape [{string.Join(", ", labelsOrIds.shape)}]: expected {(model.Config.IsTextConditioned ? "token ids (N, L)" : "class labels (N)")}");
        _model = model;
        var device = model.parameters().First().device;
        using var scope = torch.NewDisposeScope();
        _rows = labelsOrIds.to(ScalarType.Int64).to(device, copy: true);
        var nul = model.NullCondition().to(ScalarType.Int64).to(device).expand_as(_rows);
        _both = torch.cat([_rows, nul], 0);
        _rows.DetachFromDisposeScope();
        _both.DetachFromDisposeScope();
    }

    /// <summary>Class-balanced labels 0, 1, …, NumClasses − 1, 0, 1, … (N).</summary>
    public static DenoiserConditioning ClassBalanced(Denoiser model, int count)
    {
        using var labels = torch.arange(count, dtype: ScalarType.Int64) % model.Config.NumClasses;
        return new DenoiserConditioning(model, labels);
    }

    public int Count => (int)_rows.shape[0];

    public Tensor Predict(Tensor x, Tensor originalTimesteps, int step, int steps, bool withUnconditional) =>
        _model.call(x, originalTimesteps, withUnconditional ? _both : _rows);

    public void Dispose()
    {
        _rows.Dispose();
        _both.Dispose();
    }
}
