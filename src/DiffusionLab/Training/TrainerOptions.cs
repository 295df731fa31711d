using DiffusionLab.Core;
using DiffusionLab.Runs;

namespace DiffusionLab.Training;

/// <summary>The loop's settings, whatever the stage: length, cadence, optimizer, EMA, schedule and what checkpoints record.</summary>
public sealed record TrainerOptions
{
    public required TrainingStage Stage { get; init; }

    public required long Steps { get; init; }

    public int LogEvery { get; init; } = 100;

    /// <summary>Checkpoint every N steps (and always at the end of a call and on cancellation); 0: only then.</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>The optimizer's kind, betas, eps and gradient clip; learning rate and weight decay come from each <see cref="ParameterGroup"/>.</summary>
    public OptimizerSection Optimizer { get; init; } = new();

    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>EMA decay of the trained weights; null keeps no average.</summary>
    public double? EmaDecay { get; init; }

    /// <summary>Decay min(EmaDecay, (1+t)/(10+t)) at step t (diffusers' EMAModel).</summary>
    public bool EmaWarmup { get; init; }

    /// <summary>The stage's resolved config, stored in every checkpoint (a checkpoint alone can be sampled).</summary>
    public string ConfigJson { get; init; } = "{}";

    /// <summary>Further metadata every checkpoint carries (e.g. the base checkpoint an adapter stage trains on).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Runs each step's libtorch work in a <see cref="NoCollectionRegion"/> (steps that render images between them).</summary>
    public bool HoldOffCollection { get; init; }

    /// <summary>How a divergence message tells the user to recover (names the stage's own keys).</summary>
    public string DivergenceAdvice { get; init; } = "lower the learning rate or set a gradient clip";
}
