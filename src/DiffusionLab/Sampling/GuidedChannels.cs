namespace DiffusionLab.Sampling;

/// <summary>Which ε channels classifier-free guidance mixes; the remaining output channels pass through.</summary>
public enum GuidedChannels
{
    /// <summary>Every ε channel (the textbook rule).</summary>
    All = 0,

    /// <summary>Channels 0..2 only: official DiT/MDT <c>forward_with_cfg</c> (DiT issue #41), kept for parity.</summary>
    FirstThree = 1,
}
