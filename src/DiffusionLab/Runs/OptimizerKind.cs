using System.Text.Json.Serialization;

namespace DiffusionLab.Runs;

/// <summary>The optimizer of a run (<see cref="OptimizerSection.Name"/>); the JSON words are the config file's.</summary>
public enum OptimizerKind
{
    /// <summary>Adan (MDTv2).</summary>
    [JsonStringEnumMemberName("adan")] Adan,
    /// <summary>AdamW (DiT, MDTv1).</summary>
    [JsonStringEnumMemberName("adamw")] AdamW,
}
