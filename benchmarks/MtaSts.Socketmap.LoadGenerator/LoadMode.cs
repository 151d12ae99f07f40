namespace MtaSts.Socketmap.LoadGenerator;

/// <summary>How requests are sent on each connection.</summary>
internal enum LoadMode
{
    /// <summary>One request in flight: send, wait for the reply, send the next (what one Postfix smtp process does).</summary>
    OneInFlight,

    /// <summary>Up to <see cref="LoadSettings.Depth"/> requests in flight; each reply read is replaced at once.</summary>
    Pipelined,
}
