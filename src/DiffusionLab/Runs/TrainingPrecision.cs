using System.Text.Json.Serialization;

namespace DiffusionLab.Runs;

/// <summary>The compute precision of training (<see cref="TrainingSection.Precision"/>); the JSON words are the config file's.</summary>
public enum TrainingPrecision
{
    /// <summary>fp32 throughout.</summary>
    [JsonStringEnumMemberName("fp32")] Fp32,
    /// <summary>bf16 compute with fp32 master weights (CUDA only).</summary>
    [JsonStringEnumMemberName("bf16")] Bf16,
}
