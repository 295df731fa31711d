using TorchSharp.Modules;

namespace DiffusionLab.Training;

/// <summary>
/// Weights that train together under one learning rate and weight decay (PyTorch's param_groups), e.g.
/// PhotoMaker's LoRA adapters at 1e-4 beside its ID encoder at 1e-5 (photomaker.md §2.3). Weights of the
/// objective's modules that no group names stay frozen. The name prefixes the group's optimizer state in a
/// checkpoint; the empty name (a stage with one group) keeps the bare parameter names.
/// </summary>
public sealed record ParameterGroup(string Name, IReadOnlyList<(string Name, Parameter Parameter)> Parameters, double LearningRate, double WeightDecay = 0.0)
{
    /// <summary>The one group of a stage that trains everything it names at one rate.</summary>
    public static ParameterGroup All(IEnumerable<(string Name, Parameter Parameter)> parameters, double learningRate, double weightDecay = 0.0) =>
        new("", [.. parameters], learningRate, weightDecay);
}
