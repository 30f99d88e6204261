package main

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"istio.io/istio/pkg/spiffe"
	"istio.io/istio/security/pkg/pki/util"

	"platform.local/tools/internal/istiocommand"
)

const (
	// As Istio's self-signed CA (security/pkg/pki/ca): ten years, RSA 2048, organization = trust domain.
	caTTL     = 10 * 365 * 24 * time.Hour
	rsaKeyLen = 2048
	// The files of Istio's CA secret (istio-ca-secret / cacerts).
	caCertFile = "ca-cert.pem"
	caKeyFile  = "ca-key.pem"
	rootFile   = "root-cert.pem"
)

type issued struct {
	SpiffeID  string    `json:"spiffeId"`
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
	CertChain string    `json:"certChain"`
	Key       string    `json:"key"`
	Root      string    `json:"root"`
	CACreated bool      `json:"caCreated"`
}

func runIssue(args []string) {
	flags := flag.NewFlagSet("issue", flag.ExitOnError)
	caDir := flags.String("ca-dir", "", "directory of the local root CA (created on first use)")
	outDir := flags.String("out", "", "directory for cert-chain.pem, key.pem and root-cert.pem")
	sa := flags.String("sa", "", "service account of the workload")
	namespace := flags.String("namespace", "platform", "namespace of the workload")
	trustDomain := flags.String("trust-domain", "cluster.local", "trust domain")
	ttl := flags.Duration("ttl", 12*time.Hour, "lifetime of the workload certificate")
	_ = flags.Parse(args)
	if *caDir == "" || *outDir == "" || *sa == "" || flags.NArg() > 0 {
		istiocommand.Fail(errors.New("usage: mesh-compiler issue --ca-dir DIR --out DIR --sa NAME [--namespace NS] [--trust-domain TD] [--ttl 12h]"))
	}
	if *ttl <= 0 {
		istiocommand.Fail(errors.New("--ttl must be positive"))
	}
	istiocommand.QuietIstioLogs()

	signerCert, signerKey, created, err := loadOrCreateCA(*caDir, *trustDomain)
	if err != nil {
		istiocommand.Fail(err)
	}
	rootPEM, err := os.ReadFile(filepath.Join(*caDir, rootFile))
	if err != nil {
		istiocommand.Fail(err)
	}
	id := spiffe.Identity{TrustDomain: *trustDomain, Namespace: *namespace, ServiceAccount: *sa}.String()
	// As istio-agent and Istio's CA do it: the workload side makes a key and a CSR for its
	// SPIFFE ID; the CA side checks the CSR and signs it (IstioCA.Sign: GenCertFromCSR), giving
	// an empty subject, the SPIFFE ID as the only (URI, critical) SAN, server and client use.
	csrPEM, keyPEM, err := util.GenCSR(util.CertOptions{Host: id, RSAKeySize: rsaKeyLen})
	if err != nil {
		istiocommand.Fail(err)
	}
	csr, err := util.ParsePemEncodedCSR(csrPEM)
	if err != nil {
		istiocommand.Fail(err)
	}
	if err := csr.CheckSignature(); err != nil {
		istiocommand.Fail(err)
	}
	certDER, err := util.GenCertFromCSR(csr, signerCert, csr.PublicKey, signerKey, []string{id}, *ttl, false)
	if err != nil {
		istiocommand.Fail(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER})
	// The chain Istio hands a workload of a self-signed root: the leaf alone (the root is
	// distributed separately, as root-cert.pem).
	if err := util.Verify(certPEM, keyPEM, certPEM, rootPEM, nil); err != nil {
		istiocommand.Fail(fmt.Errorf("issued certificate does not verify: %v", err))
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		istiocommand.Fail(err)
	}
	files := []struct {
		name string
		data []byte
		mode fs.FileMode
	}{{"cert-chain.pem", certPEM, 0o644}, {"key.pem", keyPEM, 0o600}, {rootFile, rootPEM, 0o644}}
	for _, f := range files {
		if err := writeAtomic(filepath.Join(*outDir, f.name), f.data, f.mode); err != nil {
			istiocommand.Fail(err)
		}
	}
	leaf, err := util.ParsePemEncodedCertificate(certPEM)
	if err != nil {
		istiocommand.Fail(err)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", "  ")
	_ = encoder.Encode(issued{
		SpiffeID:  id,
		NotBefore: leaf.NotBefore.UTC(),
		NotAfter:  leaf.NotAfter.UTC(),
		CertChain: filepath.Join(*outDir, "cert-chain.pem"),
		Key:       filepath.Join(*outDir, "key.pem"),
		Root:      filepath.Join(*outDir, rootFile),
		CACreated: created,
	})
}

// loadOrCreateCA returns the CA in dir, creating a self-signed root there the first time. A lock
// file serializes concurrent calls, so that two of them never create two different roots.
func loadOrCreateCA(dir, trustDomain string) (*x509.Certificate, crypto.PrivateKey, bool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, false, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, nil, false, err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return nil, nil, false, err
	}
	defer func() { _ = syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) }()

	certPath, keyPath := filepath.Join(dir, caCertFile), filepath.Join(dir, caKeyFile)
	created := false
	if _, err := os.Stat(certPath); errors.Is(err, os.ErrNotExist) {
		certPEM, keyPEM, err := util.GenCertKeyFromOptions(util.CertOptions{
			TTL:          caTTL,
			Org:          trustDomain,
			IsCA:         true,
			IsSelfSigned: true,
			RSAKeySize:   rsaKeyLen,
		})
		if err != nil {
			return nil, nil, false, err
		}
		// Key first: a certificate file is only ever next to its key.
		if err := writeAtomic(keyPath, keyPEM, 0o600); err != nil {
			return nil, nil, false, err
		}
		if err := writeAtomic(filepath.Join(dir, rootFile), certPEM, 0o644); err != nil {
			return nil, nil, false, err
		}
		if err := writeAtomic(certPath, certPEM, 0o644); err != nil {
			return nil, nil, false, err
		}
		created = true
	} else if err != nil {
		return nil, nil, false, err
	}
	cert, key, err := util.LoadSignerCredsFromFiles(certPath, keyPath)
	if err != nil {
		return nil, nil, false, fmt.Errorf("CA in %s: %v", dir, err)
	}
	if !cert.IsCA {
		return nil, nil, false, fmt.Errorf("%s is not a CA certificate", certPath)
	}
	if time.Now().After(cert.NotAfter) {
		return nil, nil, false, fmt.Errorf("the CA in %s expired on %s; remove the directory to start a new one", dir, cert.NotAfter)
	}
	return cert, key, created, nil
}

func writeAtomic(name string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
