namespace DiffusionLab.Data.World;

/// <summary>Scene behind the character in one image, named in the caption.</summary>
public enum BackgroundScene
{
    /// <summary>Sky, sun, sea and sand.</summary>
    Beach,
    /// <summary>Building silhouettes with lit windows.</summary>
    City,
    /// <summary>Trees on grass.</summary>
    Forest,
    /// <summary>Dark sky with stars and a crescent moon.</summary>
    NightSky,
    /// <summary>Wall, floor and a window.</summary>
    Room,
    /// <summary>One flat pastel colour.</summary>
    Plain,
}
