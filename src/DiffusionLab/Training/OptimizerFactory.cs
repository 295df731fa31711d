using DiffusionLab.Core;
using DiffusionLab.Runs;
using TorchSharp.Modules;

namespace DiffusionLab.Training;

/// <summary>Builds the optimizer an <see cref="OptimizerSection"/> names.</summary>
public static class OptimizerFactory
{
    public static ParameterOptimizer Create(OptimizerSection o, IEnumerable<(string, Parameter)> parameters) =>
        Create(o, parameters, o.LearningRate, o.WeightDecay);

    /// <summary>The section's optimizer kind, betas and eps with a parameter group's own rate and weight decay.</summary>
    public static ParameterOptimizer Create(OptimizerSection o, IEnumerable<(string, Parameter)> parameters, double learningRate, double weightDecay) => o.Name switch
    {
        OptimizerKind.AdamW => o.Betas is { } b
            ? new AdamW(parameters, learningRate, b[0], b[1], o.Eps, weightDecay)
            : new AdamW(parameters, learningRate, eps: o.Eps, weightDecay: weightDecay),
        OptimizerKind.Adan => o.Betas is { } b
            ? new Adan(parameters, learningRate, b[0], b[1], b[2], o.Eps, weightDecay)
            : new Adan(parameters, learningRate, eps: o.Eps, weightDecay: weightDecay),
        _ => throw new ConfigException($"key 'Optimizer.Name': {o.Name}, expected {ConfigChoice.Expected<OptimizerKind>()}"),
    };
}
