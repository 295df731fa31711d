namespace DiffusionLab.Imaging;

/// <summary>How a panel's picture is resampled to its place on the page.</summary>
public enum PanelScaling
{
    /// <summary>Nearest neighbour: an integer enlargement shows the generated pixels as crisp squares.</summary>
    Nearest,

    /// <summary>Mitchell cubic when enlarging, trilinear (mipmaps) when shrinking.</summary>
    Smooth,
}
