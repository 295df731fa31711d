using DiffusionLab.Core;
using DiffusionLab.Runs;
using TorchSharp.Modules;

namespace DiffusionLab.Training;

/// <summary>Builds the optimizer an <see cref="OptimizerSection"/> names.</summary>
public static class OptimizerFactory
{
    public static ParameterOptimizer Create(OptimizerSection o, IEnumerable<(string, Parameter)> parameters) => o.Name switch
    {
        "adamw" => o.Betas is { } b
            ? new AdamW(parameters, o.LearningRate, b[0], b[1], o.Eps, o.WeightDecay)
            : new AdamW(parameters, o.LearningRate, eps: o.Eps, weightDecay: o.WeightDecay),
        "adan" => o.Betas is { } b
            ? new Adan(parameters, o.LearningRate, b[0], b[1], b[2], o.Eps, o.WeightDecay)
            : new Adan(parameters, o.LearningRate, eps: o.Eps, weightDecay: o.WeightDecay),
        _ => throw new ConfigException($"key 'Optimizer.Name': '{o.Name}', expected \"adan\" or \"adamw\""),
    };
}
