using System.Text.Json.Serialization;

namespace DiffusionLab.Sampling;

/// <summary>Which reverse process draws samples: <see cref="DdpmSampler"/> or <see cref="DdimSampler"/>; the JSON words are the config file's.</summary>
public enum SamplerKind
{
    /// <summary>Ancestral DDPM sampling (the papers' FID sampler).</summary>
    [JsonStringEnumMemberName("ddpm")] Ddpm,
    /// <summary>DDIM (η from the sampling section).</summary>
    [JsonStringEnumMemberName("ddim")] Ddim,
}
