namespace MtaSts.Socketmap.LoadGenerator;

/// <summary>How the load generator reaches both servers: Postfix's <c>socketmap:inet:</c> or <c>socketmap:unix:</c>.</summary>
internal enum Transport
{
    /// <summary>TCP on 127.0.0.1.</summary>
    Inet,

    /// <summary>A unix-domain stream socket (what a Postfix on the same host would normally use).</summary>
    Unix,
}
