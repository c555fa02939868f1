package main

// Only this file reads the configuration's sources (viper): everything
// else takes the plain app.Config it makes.

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"hondana/internal/app"
)

// loadConfig reads the config file (when given), the environment and the
// flags into one Config. Every key gets a default first: viper's Unmarshal
// ignores environment variables for keys it has never heard of.
func loadConfig(flags *pflag.FlagSet) (app.Config, error) {
	v := viper.New()
	setDefaults(v, "", reflect.ValueOf(app.Default()))
	v.SetEnvPrefix("HONDANA")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if file, _ := flags.GetString("config"); file != "" {
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			return app.Config{}, fmt.Errorf("config: %w", err)
		}
	} else if os.Getenv("HONDANA_CONFIG") != "" {
		v.SetConfigFile(os.Getenv("HONDANA_CONFIG"))
		if err := v.ReadInConfig(); err != nil {
			return app.Config{}, fmt.Errorf("config: %w", err)
		}
	}
	for flag, key := range map[string]string{"addr": "addr", "data": "data_dir", "demo": "demo", "test-clock": "test_clock"} {
		if f := flags.Lookup(flag); f != nil {
			if err := v.BindPFlag(key, f); err != nil {
				return app.Config{}, err
			}
		}
	}
	var c app.Config
	if err := v.Unmarshal(&c); err != nil {
		return app.Config{}, fmt.Errorf("config: %w", err)
	}
	if len(c.Branches) == 0 {
		return app.Config{}, fmt.Errorf("config: at least one branch is needed under branches:")
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		return app.Config{}, fmt.Errorf("config: timezone %q: %w", c.Timezone, err)
	}
	return c, nil
}

// setDefaults registers every leaf of the default config under its key.
func setDefaults(v *viper.Viper, prefix string, val reflect.Value) {
	t := val.Type()
	for i := 0; i < t.NumField(); i++ {
		key := t.Field(i).Tag.Get("mapstructure")
		if prefix != "" {
			key = prefix + "." + key
		}
		f := val.Field(i)
		if f.Kind() == reflect.Struct && f.Type() != reflect.TypeOf(time.Duration(0)) {
			setDefaults(v, key, f)
			continue
		}
		v.SetDefault(key, f.Interface())
	}
}

// commonFlags are the flags of every command that opens a data directory.
func commonFlags(name string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.String("config", "", "config file (YAML)")
	fs.String("data", "", "data directory (default ./data)")
	return fs
}

// openData reads the configuration and opens its data directory, for the
// commands that work on the database alone.
func openData(fs *pflag.FlagSet) (*app.Data, error) {
	cfg, err := loadConfig(fs)
	if err != nil {
		return nil, err
	}
	return app.OpenData(context.Background(), cfg, app.Options{})
}
